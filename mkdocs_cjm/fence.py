"""The `cjm` fence's public address for sites without the plugin
(`format: !!python/name:mkdocs_cjm.fence.format` in `pymdownx.superfences`); the
formatter itself is glue and lives in `glue/fence.py`."""

from mkdocs_cjm.glue.fence import format

__all__ = ["format"]

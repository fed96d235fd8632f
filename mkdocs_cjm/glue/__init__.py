"""Everything that talks to a host: the MkDocs/ProperDocs plugin, its fast rebuild
under `serve`, the `cjm` fence for MkDocs and Zensical, reading `mkdocs.yml`, and the
`mkdocs-cjm` command line. The only package that imports MkDocs."""

"""The generated section as Markdown pages and files, with no MkDocs: page generation,
its Jinja templates and assets, the navigation, incremental regeneration and the
views the `cjm` fence renders."""

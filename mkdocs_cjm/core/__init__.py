"""The journey map format and what is computed from it, with no MkDocs: the schema,
the model, the loader and its errors, metrics, freshness, evidence, the future-state
comparison, the cross-journey index and the generated site's addresses (`pages`)."""

"""Planning stage: normalise an operation and plan its fetches (plain-data plan + response shape)."""

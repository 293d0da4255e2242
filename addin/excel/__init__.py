"""The Excel add-in layer: worksheet functions, ribbon buttons, build helpers (thin, over the core)."""

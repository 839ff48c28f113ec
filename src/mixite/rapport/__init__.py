"""The twice-yearly « état du peuplement »: one document per territory and date,
readable without mixite (self-contained HTML, and a PDF rendered from it)."""

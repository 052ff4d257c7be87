"""The figures: units, periods, the formulas of the value a story delivered, and the export."""

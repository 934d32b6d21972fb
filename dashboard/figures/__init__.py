"""Pure figure builders: DataFrames in, plotly Figures out (the page and exports share them)."""

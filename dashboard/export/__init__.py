"""Exports of the view on screen (images, data files, the situation report) for the page's buttons
and `python -m dashboard.export`: the export context (context), one panel as a file (files), the
print layout (printed), CSV and XLSX writers (tables), the report's summary and assembly (summary,
report), and the renderer (render: kaleido and chromium; limit: the server's export slots; procs:
chromium's processes)."""

"""The editor's pages, one module per idea: the sheet itself and its undo (`sheet`), objectives
(`objectives`), KPIs (`kpis`), the targets grid (`targets`) and the reading pages (`reading`)."""

"""Pages of the KPI layer, one module per idea: why a score is what it is (`explanation`), an
owner's "My updates" one row at a time (`my_updates`) or as a grid (`grid`), and actuals by
spreadsheet: template, import and export (`spreadsheets`). The scorecard editor has its own
package, `kpis.editor`."""

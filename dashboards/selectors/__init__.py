"""Reads of the dashboards, one module per idea: `heatmap` (a subtree's scores per unit and
perspective), `freshness` (how much of a quarter's data is entered), `trend` (the root's score
over quarters), `worst` (the lowest-scoring KPIs) and `kpi_detail` (one KPI's quarters,
history and roll-up children); `quarters` holds what they share to compare quarters.

Everything here reads score snapshots (never recomputes a score) and runs a fixed number of
queries whatever the size of the subtree: each read fetches the whole subtree at once, and
the tree (expanded or not, filtered or not) is shaped in Python."""

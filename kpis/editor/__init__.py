"""The scorecard editor: managers add, edit, reorder, archive and delete objectives and KPIs,
cascade them to child units, set a fiscal year's targets and undo their last change; everyone
who reads the scorecard sees its health panel and the line of sight down the cascade.

It edits objectives and KPIs, so it lives in the highest app it writes to. Its pages are in
`views/` (the sheet and undo, objectives, KPIs, targets, reading pages), under the `editor:` URL
namespace (`urls.py`); the undo slot is `undo.py`, the forms `forms.py`, the reads `selectors.py`.
Every write goes through a service of `strategy` or `kpis`. Templates: `templates/editor/`.
"""

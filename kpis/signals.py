"""What the KPI layer tells the layers above it, which it never imports."""

from django.dispatch import Signal

# Sent after a recompute commits, for each KPI whose status in a period changed.
# Arguments: kpi_id, period_id, old_status, new_status.
kpi_status_changed = Signal()

"""What the KPI layer tells the layers above it, which it never imports."""

from django.dispatch import Signal

# Sent after a recompute commits, for each KPI whose status in a period changed.
# Arguments: kpi_id, period_id, old_status, new_status.
kpi_status_changed = Signal()

# Sent after a write of a target commits, when it left the period's actual red without the
# comment the organization asks for (see kpis.red_comments). Arguments: kpi_id, period_id.
actual_needs_comment = Signal()

"""What Northwind is doing about its numbers: initiatives, action items, the words owners use
in their comments, and the quarterly review's decisions.

See `reviews.demo.specs.MilestoneSpec` for how quarters are counted."""

from reviews.demo.specs import ActionSpec, InitiativeSpec, MilestoneSpec

ON_TRACK = "on_track"
AT_RISK = "at_risk"
DONE = "done"
OPEN = "open"
IN_PROGRESS = "in_progress"

INITIATIVES = (
    InitiativeSpec(
        key="erp",
        unit="ng",
        name="Order-to-cash modernisation (ERP and CRM)",
        description="One system from quote to cash: replaces three legacy tools.",
        objectives=("ng.l3", "ng.p3"),
        owner="tom",
        budget="2400000",
        start_quarter=5,
        end_quarter=14,
        status=ON_TRACK,
        percent_complete=65,
        milestones=(
            MilestoneSpec("Vendor selected", 5, -9),
            MilestoneSpec("Finance live on the new ERP", 8, -4),
            MilestoneSpec("Sales live on the new CRM", 11, 12),
            MilestoneSpec("Order-to-cash automation live", 12),
            MilestoneSpec("Legacy systems switched off", 14),
        ),
    ),
    InitiativeSpec(
        key="cx",
        unit="ng",
        name="Customer experience programme",
        description="Map the customer journey and fix its five worst moments.",
        objectives=("ng.c1", "ng.c3"),
        owner="manager",
        budget="850000",
        start_quarter=7,
        end_quarter=13,
        status=AT_RISK,
        percent_complete=40,
        milestones=(
            MilestoneSpec("Journey-mapping workshops", 8, 0),
            MilestoneSpec("Voice-of-customer survey live", 10, 6),
            # Due last quarter and not done: a late milestone for the review to find.
            MilestoneSpec("Service recovery playbook", 11),
            MilestoneSpec("Complaint dashboard for managers", 12),
        ),
    ),
    InitiativeSpec(
        key="academy",
        unit="ng",
        name="Leadership academy",
        description="A twelve-month programme for our first- and second-line leaders.",
        objectives=("ng.l1", "ng.l2"),
        owner="aisha",
        budget="320000",
        start_quarter=4,
        end_quarter=12,
        status=ON_TRACK,
        percent_complete=80,
        milestones=(
            MilestoneSpec("First cohort graduates", 7, 0),
            MilestoneSpec("Second cohort graduates", 11, -2),
            MilestoneSpec("Programme evaluation", 12),
        ),
    ),
    InitiativeSpec(
        key="lean",
        unit="op",
        name="Lean line redesign",
        description="Rebuild line 2 for single-piece flow, then lines 1 and 3.",
        objectives=("op.p1", "op.p2"),
        owner="lena",
        budget="1150000",
        start_quarter=6,
        end_quarter=13,
        status=AT_RISK,
        percent_complete=55,
        milestones=(
            MilestoneSpec("Line 2 redesigned", 8, 20),
            MilestoneSpec("Line 1 redesigned", 11),
            MilestoneSpec("Line 3 redesigned", 13),
        ),
    ),
    InitiativeSpec(
        key="key_accounts",
        unit="sa",
        name="Key-account programme",
        description="A named team and a joint plan for each of our top 40 accounts.",
        objectives=("sa.c2", "sa.f1"),
        owner="daniel",
        budget="240000",
        start_quarter=2,
        end_quarter=9,
        status=DONE,
        percent_complete=100,
        milestones=(
            MilestoneSpec("Top 40 accounts named", 2, -20),
            MilestoneSpec("Joint plans signed", 5, 0),
            MilestoneSpec("Programme handed over to line management", 9, 0),
        ),
    ),
)

# Action items on the enterprise scorecard that serve an initiative or an objective.
ENTERPRISE_ACTIONS = (
    ActionSpec("Publish the cut-over plan for the legacy systems", "tom", 20, OPEN, "erp"),
    ActionSpec("Train service leads on the recovery playbook", "manager", -8, OPEN, "cx"),
    ActionSpec(
        "Share attrition hot spots with department heads",
        "aisha",
        10,
        IN_PROGRESS,
        objective="ng.l1",
    ),
)

# Recovery actions for KPIs that were red last quarter, dealt out in turn:
# (status, due in days from today). Negative days on an open item make it overdue.
RECOVERY_ACTIONS = (
    (OPEN, 30),
    (IN_PROGRESS, 14),
    (OPEN, -10),
    (DONE, -5),
    (IN_PROGRESS, -21),
)
RECOVERY_TITLE = "Recovery plan: {kpi}"
RECOVERY_DESCRIPTION = (
    "{kpi} was red in {period}: {value} against a target of {target}. Find the root cause, "
    "agree corrective actions and report back at the quarterly review."
)

GREEN_COMMENTS = (
    "On target.",
    "Ahead of plan this quarter.",
    "Target met; the trend is holding.",
    "Better than target, helped by the changes we made last quarter.",
    "Met the target with some margin.",
    "On track, no action needed.",
    "Solid quarter, in line with plan.",
)
AMBER_COMMENTS = (
    "Slightly behind target; we expect to recover next quarter.",
    "Below target but inside the tolerance; watching it closely.",
    "Just short of target: a timing effect, not a trend.",
    "Behind plan; the team has a catch-up plan for next quarter.",
    "Short of target after a slow first month.",
)
RED_COMMENTS = (
    "Past the red flag. Root cause under review; recovery actions agreed with the team.",
    "Well below target: two setbacks hit in the same quarter. Recovery plan in progress.",
    "Off target. Escalated to the unit's manager, corrective actions set up.",
    "Red this quarter, and the gap looks structural rather than seasonal; asking for help "
    "at the review.",
    "Missed by a wide margin; action plan drafted and owner assigned.",
)

REVIEW_PARTICIPANTS = ("manager", "executive", "tom", "aisha", "lena", "daniel")
REVIEW_FACILITATOR = "manager"
# The People department's review of the last quarter, under way.
TEAM_REVIEW_UNIT = "pe"
TEAM_REVIEW_FACILITATOR = "aisha"
TEAM_REVIEW_PARTICIPANTS = ("aisha", "owner", "manager")
REVIEW_RESULTS = (
    "{period}: {green} of {total} measures entered at group level met their target and "
    "{amber} were within tolerance."
)
REVIEW_REDS = " Past the red flag: {names}; the discussion focused on them."
REVIEW_NO_REDS = " None was past its red flag; the discussion focused on the amber ones."
REVIEW_CONTEXT = (
    " Quality and order-to-cash keep improving. The customer experience programme is at "
    "risk: its service recovery playbook is late."
)
REVIEW_DECISIONS = (
    "Every red KPI gets an owner-led recovery plan before the next review.",
    "People to report attrition by department every month until it is back under target.",
    "Keep funding the order-to-cash programme; revisit its business case at the annual review.",
)

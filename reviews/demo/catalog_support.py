"""The support functions of Northwind: Finance and People.

See `reviews.demo.catalog` for how the numbers read."""

from reviews.demo.specs import (
    CUSTOMER,
    DOWN,
    FINANCIAL,
    LAG,
    LEAD,
    LEARNING,
    PROCESS,
    UP,
    S,
    UnitSpec,
    kpi,
    link,
    objective,
)

# fmt: off
# The catalog is a table: one KPI a row reads better than one argument a line.
FINANCE = UnitSpec(
    key="fi",
    name="Finance",
    slug="finance",
    kind="department",
    parent="ng",
    description="Cash, control and numbers the business can plan with.",
    objectives=(
        objective(
            "fi.f1", FINANCIAL, "Improve cash collection", "tom",
            kpi("fi.dso", "Days sales outstanding", "days", DOWN, LAG, "tom", 1,
                S(52, -0.3, 0.5, 0.4, driver="fi.invoice_speed", lag=1, gain=1.8)),
            kpi("fi.overdue", "Overdue receivables", "USD", DOWN, LAG, "tom", 0,
                S(4.8e6, -20e3, 180e3, 150e3, slip=0.5)),
            supports=("ng.f3",),
        ),
        objective(
            "fi.f2", FINANCIAL, "Keep finance costs lean", "tom",
            kpi("fi.opex", "Finance operating expenses", "USD", DOWN, LAG, "tom", 0,
                S(1.2e6, 3e3, 25e3, 20e3), up_to="ng.opex"),
            kpi("fi.cost_ratio", "Finance cost as % of revenue", "%", DOWN, LAG, "tom", 2,
                S(2.7, -0.01, 0.05, 0.04)),
            supports=("ng.f2",),
        ),
        objective(
            "fi.f3", FINANCIAL, "Strengthen financial control", "tom",
            kpi("fi.budget_variance", "Budget variance", "%", DOWN, LAG, "owner", 1,
                S(4.5, -0.08, 0.4, 0.4),
                description="Absolute variance of spending against budget."),
            kpi("fi.audit", "Open audit findings", "count", DOWN, LAG, "tom", 0,
                S(14, -0.4, 1.5, 1)),
        ),
        objective(
            "fi.c1", CUSTOMER, "Serve budget holders well", "tom",
            kpi("fi.satisfaction", "Budget-holder satisfaction", "score", UP, LAG, "tom", 1,
                S(3.6, 0.03, 0.12, 0.08), description="Survey score, 1 to 5."),
        ),
        objective(
            "fi.c2", CUSTOMER, "Pay suppliers on time", "tom",
            kpi("fi.paid_on_time", "Invoices paid on time", "%", UP, LAG, "tom", 1,
                S(86, 0.4, 1.0, 0.8)),
            kpi("fi.disputes", "Supplier disputes", "count", DOWN, LAG, "tom", 0,
                S(21, -0.3, 2, 1.5)),
        ),
        objective(
            "fi.p1", PROCESS, "Close the books faster", "tom",
            kpi("fi.days_to_close", "Days to close the month", "days", DOWN, LAG, "tom", 1,
                S(9.5, -0.2, 0.2, 0.2, driver="fi.automation", lag=1, gain=1.8)),
        ),
        objective(
            "fi.p2", PROCESS, "Forecast with confidence", "tom",
            kpi("fi.forecast", "Forecast accuracy", "%", UP, LEAD, "owner", 1,
                S(88, 0.3, 1.0, 1.0)),
        ),
        objective(
            "fi.p3", PROCESS, "Invoice accurately and quickly", "tom",
            kpi("fi.invoice_speed", "Invoices issued within one day", "%", UP, LEAD, "tom", 0,
                S(72, 1.2, 1.5, 2.5)),
            kpi("fi.billing_errors", "Billing errors", "count", DOWN, LAG, "tom", 0,
                S(64, -1.0, 4, 3)),
            supports=("ng.p3",),
        ),
        objective(
            "fi.l1", LEARNING, "Automate routine finance work", "tom",
            kpi("fi.automation", "Journal entries automated", "%", UP, LEAD, "owner", 0,
                S(38, 2.5, 1.5, 2.2)),
            kpi("fi.analytics", "Finance staff trained on analytics tools", "%", UP, LEAD,
                "tom", 0, S(25, 4, 2, 2)),
            supports=("ng.l3",),
        ),
        objective(
            "fi.l2", LEARNING, "Engage the finance team", "tom",
            kpi("fi.engagement", "Engagement score", "score", UP, LAG, "tom", 1,
                S(70, 0.2, 1.0, 0.8), up_to="ng.engagement",
                description="Survey index, 0 to 100."),
            supports=("ng.l1",),
        ),
    ),
    links=(
        link("fi.l1", "fi.p1", "Automated journals shorten the close."),
        link("fi.l1", "fi.p2", "Analytics skills improve the forecast."),
        link("fi.l2", "fi.c1", "An engaged team serves budget holders well."),
        link("fi.p3", "fi.f1", "Invoices sent quickly are paid quickly."),
        link("fi.p1", "fi.c1", "A fast close gives budget holders timely numbers."),
        link("fi.p2", "fi.f3", "A confident forecast keeps spending on budget."),
        link("fi.c2", "fi.f2", "Paying on time avoids late fees and dispute work."),
    ),
)

PEOPLE = UnitSpec(
    key="pe",
    name="People",
    slug="people",
    kind="department",
    parent="ng",
    description="Hire, grow and keep the people Northwind needs.",
    objectives=(
        objective(
            "pe.f1", FINANCIAL, "Manage people costs", "aisha",
            kpi("pe.opex", "People operating expenses", "USD", DOWN, LAG, "aisha", 0,
                S(0.95e6, 2e3, 20e3, 15e3), up_to="ng.opex"),
            kpi("pe.cost_per_hire", "Cost per hire", "USD", DOWN, LAG, "aisha", 0,
                S(6200, -30, 250, 200)),
            supports=("ng.f2",),
        ),
        objective(
            "pe.c1", CUSTOMER, "Serve hiring managers well", "aisha",
            kpi("pe.hm_satisfaction", "Hiring-manager satisfaction", "score", UP, LAG, "aisha",
                1, S(3.7, 0.03, 0.12, 0.1), description="Survey score, 1 to 5."),
        ),
        objective(
            "pe.c2", CUSTOMER, "Give employees a great experience", "aisha",
            kpi("pe.enps", "Employee Net Promoter Score", "score", UP, LAG, "aisha", 0,
                S(12, 0.6, 1.2, 1.0, driver="pe.onboarding", lag=1, gain=1.8, low=None),
                description="From -100 to 100."),
            kpi("pe.sla", "HR tickets resolved within SLA", "%", UP, LAG, "aisha", 1,
                S(87, 0.4, 1.0, 0.8)),
        ),
        objective(
            "pe.p1", PROCESS, "Hire faster", "aisha",
            kpi("pe.time_to_fill", "Time to fill", "days", DOWN, LAG, "aisha", 0,
                S(52, -0.5, 2.5, 2)),
            kpi("pe.acceptance", "Offer acceptance rate", "%", UP, LAG, "aisha", 1,
                S(82, 0.25, 1.5, 1.0)),
        ),
        objective(
            "pe.p2", PROCESS, "Onboard new hires well", "aisha",
            kpi("pe.onboarding", "New hires onboarded on plan", "%", UP, LEAD, "aisha", 0,
                S(70, 1.2, 1.5, 2.5)),
            kpi("pe.first_year", "First-year attrition", "%", DOWN, LAG, "aisha", 1,
                S(14, -0.1, 0.8, 0.6)),
        ),
        objective(
            "pe.p3", PROCESS, "Run performance reviews on time", "aisha",
            kpi("pe.reviews_on_time", "Performance reviews completed on time", "%", UP, LAG,
                "owner", 0, S(74, 1.0, 2.5, 2)),
        ),
        objective(
            "pe.l1", LEARNING, "Grow our leaders", "aisha",
            kpi("pe.leaders", "Leadership programme participants", "count", UP, LEAD, "owner",
                0, S(18, 0.6, 2, 2)),
            kpi("pe.promotion", "Roles filled by internal promotion", "%", UP, LAG, "aisha", 0,
                S(31, 0.4, 2, 1.5)),
            supports=("ng.l2",),
        ),
        objective(
            "pe.l2", LEARNING, "Strengthen engagement", "aisha",
            kpi("pe.engagement", "Engagement score", "score", UP, LAG, "aisha", 1,
                S(72, 0.15, 1.0, 0.8), up_to="ng.engagement",
                description="Survey index, 0 to 100."),
            kpi("pe.attrition", "Voluntary attrition", "%", DOWN, LAG, "aisha", 2,
                S(3.1, -0.01, 0.2, 0.15)),
            supports=("ng.l1",),
        ),
        objective(
            "pe.l3", LEARNING, "Invest in learning", "aisha",
            kpi("pe.training", "Training hours per employee", "hours", UP, LEAD, "owner", 1,
                S(6.8, 0.1, 0.5, 0.5)),
            supports=("ng.l2",),
        ),
    ),
    links=(
        link("pe.l1", "pe.p3", "Trained leaders run their reviews on time."),
        link("pe.l3", "pe.p2", "Learning content makes onboarding smoother."),
        link("pe.l2", "pe.c2", "Engaged employees recommend us."),
        link("pe.p2", "pe.c2", "A good start turns new hires into promoters."),
        link("pe.p1", "pe.c1", "Filling roles fast pleases hiring managers."),
        link("pe.c1", "pe.f1", "Hiring that works first time lowers the cost per hire."),
    ),
)
# fmt: on

"""Northwind Group, the demo organization: who works there and what the enterprise measures.

Northwind designs, builds and ships industrial ventilation equipment: about 44 million USD of
revenue a quarter. The departments and teams live in their own modules, one per side of the
business; `UNITS` lists them all, parents before children.

Numbers are per quarter. In `S(start, trend, noise, swing, ...)` the start is the level twelve
quarters ago, the trend its change per quarter, noise and swing the sizes of its random moves
(swing carries over from quarter to quarter). `driver=` names the leading KPI this one follows
`lag` quarters later; `independent_of=` a KPI a causal link claims it follows, but it does not.
"""

from reviews.demo.catalog_operations import LOGISTICS, MANUFACTURING, OPERATIONS
from reviews.demo.catalog_sales import CUSTOMER_SUCCESS, FIELD_SALES, SALES
from reviews.demo.catalog_support import FINANCE, PEOPLE
from reviews.demo.specs import (
    CUSTOMER,
    DOWN,
    FINANCIAL,
    LAG,
    LEAD,
    LEARNING,
    PROCESS,
    UP,
    PersonSpec,
    S,
    UnitSpec,
    kpi,
    link,
    objective,
    rollup,
)

MANAGER = "manager"
OWNER = "owner"
VIEWER = "viewer"

PEOPLE_OF_NORTHWIND = (
    PersonSpec("admin", "Sightline", "Administrator", "System administrator", is_superuser=True),
    PersonSpec("manager", "Helen", "Carter", "Chief Operating Officer", (("ng", MANAGER),)),
    PersonSpec("executive", "Robert", "Hayes", "Chief Executive Officer", (("ng", VIEWER),)),
    PersonSpec(
        "owner",
        "Priya",
        "Shah",
        "Business Performance Analyst",
        (("fs", OWNER), ("fi", OWNER), ("pe", OWNER)),
    ),
    PersonSpec("tom", "Tom", "Becker", "Chief Financial Officer", (("fi", MANAGER), ("ng", OWNER))),
    PersonSpec(
        "aisha", "Aisha", "Rahman", "Chief People Officer", (("pe", MANAGER), ("ng", OWNER))
    ),
    PersonSpec("lena", "Lena", "Novak", "VP Operations", (("op", MANAGER), ("ng", OWNER))),
    PersonSpec("daniel", "Daniel", "Okafor", "VP Sales", (("sa", MANAGER),)),
    PersonSpec("noah", "Noah", "Fischer", "Sales Operations Analyst", (("sa", OWNER),)),
    PersonSpec("mei", "Mei", "Chen", "Quality Engineer", (("op", OWNER),)),
    PersonSpec("marco", "Marco", "Rossi", "Head of Field Sales", (("fs", MANAGER),)),
    PersonSpec("sofia", "Sofia", "Lindqvist", "Head of Customer Success", (("cs", MANAGER),)),
    PersonSpec("kenji", "Kenji", "Watanabe", "Logistics Manager", (("lg", MANAGER),)),
    PersonSpec("grace", "Grace", "Mensah", "Plant Manager", (("mf", MANAGER),)),
)

# fmt: off
# The catalog is a table: one KPI a row reads better than one argument a line.
NORTHWIND = UnitSpec(
    key="ng",
    name="Northwind Group",
    slug="northwind-group",
    kind="enterprise",
    parent=None,
    description="Group strategy: profitable growth through quality, delivery and people.",
    objectives=(
        objective(
            "ng.f1", FINANCIAL, "Grow revenue profitably", "manager",
            rollup("ng.revenue", "Revenue", "USD", UP, "manager", 0, "sum", "3"),
            kpi("ng.gross_margin", "Gross margin", "%", UP, LAG, "tom", 1,
                S(38.0, 0.12, 0.3, 0.3, driver="ng.new_products", lag=2, gain=1.8)),
        ),
        objective(
            "ng.f2", FINANCIAL, "Control operating costs", "tom",
            rollup("ng.opex", "Operating expenses", "USD", DOWN, "tom", 0, "sum", "3"),
            kpi("ng.opex_ratio", "Operating expenses as % of revenue", "%", DOWN, LAG, "tom", 1,
                S(24.5, -0.1, 0.4, 0.3)),
        ),
        objective(
            "ng.f3", FINANCIAL, "Improve cash generation", "tom",
            kpi("ng.fcf", "Free cash flow", "USD", UP, LAG, "tom", 0,
                S(3.1e6, 0.05e6, 0.35e6, 0.25e6)),
        ),
        objective(
            "ng.c1", CUSTOMER, "Delight our customers", "manager",
            kpi("ng.nps", "Net Promoter Score", "score", UP, LAG, "manager", 0,
                S(31, 0.6, 1.2, 1.0, driver="ng.fpy", lag=2, gain=1.8, low=None),
                description="From -100 to 100, surveyed every quarter."),
            rollup("ng.csat", "Customer satisfaction (CSAT)", "score", UP, "manager", 2,
                   "average", "2", description="Average survey score, 1 to 5."),
        ),
        objective(
            "ng.c2", CUSTOMER, "Deliver on our promises", "lena",
            rollup("ng.otd", "On-time delivery", "%", UP, "lena", 1, "weighted_average", "2"),
        ),
        objective(
            "ng.c3", CUSTOMER, "Keep and grow key customers", "manager",
            kpi("ng.retention", "Customer retention rate", "%", UP, LAG, "manager", 1,
                S(88.0, 0.15, 0.6, 0.5, slip=0.6)),
        ),
        objective(
            "ng.p1", PROCESS, "Improve product quality", "lena",
            kpi("ng.fpy", "First-pass yield", "%", UP, LEAD, "lena", 1,
                S(91.0, 0.2, 0.5, 0.9)),
            kpi("ng.warranty", "Warranty claims", "count", DOWN, LAG, "lena", 0,
                S(142, -1.5, 6, 5)),
        ),
        objective(
            "ng.p2", PROCESS, "Accelerate product innovation", "manager",
            kpi("ng.new_products", "New products launched", "count", UP, LEAD, "manager", 0,
                S(3, 0.1, 0.8, 0.8)),
            kpi("ng.vitality", "Revenue from products under three years old", "%", UP, LAG,
                "manager", 1, S(18.0, 0.3, 0.8, 0.6, independent_of="ng.training")),
        ),
        objective(
            "ng.p3", PROCESS, "Streamline order-to-cash", "lena",
            kpi("ng.order_cycle", "Order-to-cash cycle time", "days", DOWN, LAG, "lena", 1,
                S(52.0, -0.4, 0.5, 0.4, driver="ng.automated", lag=1, gain=1.8)),
        ),
        objective(
            "ng.l1", LEARNING, "Build an engaged workforce", "aisha",
            rollup("ng.engagement", "Employee engagement score", "score", UP, "aisha", 1,
                   "average", "3", description="Survey index, 0 to 100, pulsed quarterly."),
            kpi("ng.attrition", "Voluntary attrition", "%", DOWN, LAG, "aisha", 2,
                S(3.4, -0.02, 0.15, 0.12, slip=0.6)),
        ),
        objective(
            "ng.l2", LEARNING, "Develop critical skills", "aisha",
            kpi("ng.training", "Training hours per employee", "hours", UP, LEAD, "aisha", 1,
                S(6.5, 0.1, 0.5, 0.6)),
            kpi("ng.successors", "Critical roles with a ready successor", "%", UP, LAG,
                "aisha", 0, S(48, 1.2, 2.0, 1.5)),
        ),
        objective(
            "ng.l3", LEARNING, "Modernise core systems", "tom",
            kpi("ng.automated", "Processes automated", "count", UP, LEAD, "tom", 0,
                S(12, 1.5, 1.0, 1.5)),
        ),
    ),
    links=(
        link("ng.l1", "ng.p1", "Engaged teams take more care over quality."),
        link("ng.l2", "ng.p2", "Better-skilled engineers bring new products to market sooner."),
        link("ng.l3", "ng.p3", "Every automated step takes days out of order-to-cash."),
        link("ng.p1", "ng.c1", "Fewer defects, happier customers."),
        link("ng.p3", "ng.c2", "A faster order-to-cash process lets us ship when we promised."),
        link("ng.p2", "ng.f1", "New products carry better margins."),
        link("ng.p1", "ng.f2", "Less rework and fewer warranty claims lower our costs."),
        link("ng.p3", "ng.f3", "Faster order-to-cash frees cash."),
        link("ng.c1", "ng.f1", "Delighted customers buy more."),
        link("ng.c3", "ng.f1", "Revenue from customers we keep is the cheapest we earn."),
    ),
)
# fmt: on

# Parents before children: the builder creates them in this order.
UNITS = (
    NORTHWIND,
    SALES,
    FIELD_SALES,
    CUSTOMER_SUCCESS,
    OPERATIONS,
    LOGISTICS,
    MANUFACTURING,
    FINANCE,
    PEOPLE,
)

"""What the pages of reviews, actions and initiatives answer when the policy says no."""

from scorecard.page_support import REFUSED

MAY_NOT_READ = REFUSED.format(what="read")
MAY_NOT_MANAGE = REFUSED.format(what="manage")

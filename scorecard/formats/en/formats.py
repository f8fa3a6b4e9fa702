"""How Sightline writes dates in English (issue 17): "1 Jul 2026", "1 Jul 2026 14:05", the
same on every page, e-mail and message. Django reads this module before its own English
formats (settings.FORMAT_MODULE_PATH), so `{{ day|date }}` and
`django.utils.formats.date_format(day)` say it, and what is not set here (the input
formats: a date field still reads 2026-07-01, as `<input type="date">` sends it) stays
Django's. The one place these formats are written."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"

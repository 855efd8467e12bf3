"""Where each rule comes from: the article of 《党政机关国内公务接待管理规定》 (中办发〔2013〕22号) a
finding cites, in the user's language. One table, so that a correction is made once."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The articles (the 2013 national regulation's numbering).
ARTICLE_7 = _("《党政机关国内公务接待管理规定》第七条")  # letters, approval, the reception list
ARTICLE_8 = _("《党政机关国内公务接待管理规定》第八条")  # no over-standard reception, outings, gifts
ARTICLE_9 = _("《党政机关国内公务接待管理规定》第九条")  # lodging: designated hotels, agreed prices, rooms
ARTICLE_10 = _("《党政机关国内公务接待管理规定》第十条")  # meals: own expense, one working meal, diners, menus
ARTICLE_11 = _("《党政机关国内公务接待管理规定》第十一条")  # vehicles: ride together
ARTICLE_12 = _("《党政机关国内公务接待管理规定》第十二条")  # the reception budget

#: Each rule's source (the key is the rule's code).
SOURCES: dict[str, Promise] = {
    "accompany_limit": ARTICLE_10,
    "meal_headcount": ARTICLE_10,
    "working_meal_count": ARTICLE_10,
    "hosted_meal_not_allowed": ARTICLE_10,
    "meal_standard": ARTICLE_10,
    "meal_standard_near": ARTICLE_10,
    "banned_item": ARTICLE_10,
    "level_above_guests": ARTICLE_8,
    "banned_activity": ARTICLE_8,
    "suite_not_allowed": ARTICLE_9,
    "lodging_standard": ARTICLE_9,
    "agreed_price_exceeded": ARTICLE_9,
    "actual_over_standard": ARTICLE_8,
    "vehicle_per_guest": ARTICLE_11,
    "budget_exceeded": ARTICLE_12,
    "item_outside_dates": ARTICLE_7,
    "letter_in_use": ARTICLE_7,
}

"""Field validators for the formats on the paper form."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mainland mobile: 11 digits starting 13–19. Landline: area code 0xx or 0xxx, 7–8 digit number,
# optional extension; separators as people write them (0571-81956046, 0571 8195 6046).
MOBILE_RE = re.compile(r"^(?:\+?86[- ]?)?1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^(?:\+?86[- ]?)?0\d{2,3}[- ]?\d{7,8}(?:[- ]?(?:转|ext\.?|x)?\d{1,6})?$")


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s\u3000]+", "", value.strip()).replace("－", "-")


def is_valid_phone(value: str) -> bool:
    compact = normalise_phone(value)
    digits_only = compact.replace("-", "")
    return bool(MOBILE_RE.match(digits_only) or LANDLINE_RE.match(compact))


def validate_phone(value: str) -> None:
    if value and not is_valid_phone(value):
        raise ValidationError(
            _(
                "Enter a mainland mobile number (11 digits, e.g. 13605792309) "
                "or a landline with area code (e.g. 0571-81956046)."
            ),
            code="phone",
        )

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Short state words carry a context: "Running", "Closed", "Waiting", "Draft" … read differently
# elsewhere on the site (a job running, a deadline closed), so each gets its own translation.


class Selection(models.TextChoices):
    ALL_SCORED = "all_scored", _("Every application whose materials are scored")
    BEST_N = "best_n", _("The best N by materials score")
    MIN_SCORE = "min_score", _("Those at or above a materials score")


class ShowScore(models.TextChoices):
    NEVER = "never", pgettext_lazy("show the score", "Never")
    AFTER_TEAM = "after_team", pgettext_lazy("show the score", "After each team")
    AFTER_ROOM = "after_room", pgettext_lazy("show the score", "At the end of the room")


class RoomState(models.TextChoices):
    SETUP = "setup", pgettext_lazy("room state", "Being set up")
    DRAWN = "drawn", pgettext_lazy("room state", "Order drawn")
    RUNNING = "running", pgettext_lazy("room state", "Running")
    CLOSED = "closed", pgettext_lazy("room state", "Closed")


class SlotState(models.TextChoices):
    WAITING = "waiting", pgettext_lazy("team's presentation state", "Waiting")
    PRESENTING = "presenting", pgettext_lazy("team's presentation state", "Presenting now")
    DONE = "done", pgettext_lazy("team's presentation state", "Presented")
    ABSENT = "absent", pgettext_lazy("team's presentation state", "Absent")


class SheetState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("sheet state", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("sheet state", "Submitted (locked)")
    RETURNED = "returned", pgettext_lazy("sheet state", "Returned for correction")


class TimerMarkKind(models.TextChoices):
    START = "start", pgettext_lazy("timer", "Start")
    PAUSE = "pause", pgettext_lazy("timer", "Pause")
    RESUME = "resume", pgettext_lazy("timer", "Resume")
    STOP = "stop", pgettext_lazy("timer", "Stop")

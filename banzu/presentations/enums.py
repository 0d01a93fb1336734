from django.db import models
from django.utils.translation import gettext_lazy as _


class Selection(models.TextChoices):
    ALL_SCORED = "all_scored", _("Every application whose materials are scored")
    BEST_N = "best_n", _("The best N by materials score")
    MIN_SCORE = "min_score", _("Those at or above a materials score")


class ShowScore(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_TEAM = "after_team", _("After each team")
    AFTER_ROOM = "after_room", _("At the end of the room")


class RoomState(models.TextChoices):
    SETUP = "setup", _("Being set up")
    DRAWN = "drawn", _("Order drawn")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")


class SlotState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    PRESENTING = "presenting", _("Presenting now")
    DONE = "done", _("Presented")
    ABSENT = "absent", _("Absent")


class SheetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted (locked)")
    RETURNED = "returned", _("Returned for correction")


class TimerMarkKind(models.TextChoices):
    START = "start", _("Start")
    PAUSE = "pause", _("Pause")
    RESUME = "resume", _("Resume")
    STOP = "stop", _("Stop")

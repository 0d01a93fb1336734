"""Routes of the event: live (see banzu.presentations.urls) — the room console, the big screen
and the admin's live board."""

from django.urls import URLPattern, path

from banzu.presentations.views import board, console, screen

urlpatterns: list[URLPattern] = [
    path("rooms/<int:pk>/console/", console.console, name="console"),
    path("rooms/<int:pk>/console/status/", console.console_status, name="console_status"),
    path("rooms/<int:pk>/console/timer/<str:kind>/", console.timer_move, name="console_timer"),
    path("rooms/<int:pk>/console/next/", console.advance, name="console_next"),
    path("rooms/<int:pk>/console/close/", console.close, name="console_close"),
    path(
        "rooms/<int:pk>/console/slots/<int:slot_pk>/absent/",
        console.absent,
        name="console_absent",
    ),
    path(
        "rooms/<int:pk>/console/slots/<int:slot_pk>/to-end/",
        console.to_end,
        name="console_to_end",
    ),
    path(
        "rooms/<int:pk>/console/slots/<int:slot_pk>/presentation/",
        console.presentation_file,
        name="console_presentation",
    ),
    path("rooms/<int:pk>/console/blank-sheets.pdf", console.blank_sheets, name="blank_sheets"),
    path("screen/<str:token>/", screen.screen, name="screen"),
    path("screen/<str:token>/stage/", screen.stage, name="screen_stage"),
    path("board/", board.board, name="board"),
    path("board/rooms/", board.board_rooms, name="board_rooms"),
]

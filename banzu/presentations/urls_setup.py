"""Routes of the event: setup, the provincial admin's (see banzu.presentations.urls)."""

from django.urls import path

from banzu.presentations.views import setup

urlpatterns = [
    path("", setup.event_settings, name="setup_event"),
    path("selection/", setup.selection, name="setup_selection"),
    path("rooms/", setup.rooms, name="setup_rooms"),
    path("rooms/new/", setup.room_form, name="setup_room_new"),
    path("rooms/<int:pk>/edit/", setup.room_form, name="setup_room_edit"),
    path("rooms/<int:pk>/delete/", setup.room_delete, name="setup_room_delete"),
    path("rooms/<int:pk>/chair/", setup.chair, name="setup_chair"),
    path("rooms/<int:pk>/swap/", setup.swap, name="setup_swap"),
    path("rooms/<int:pk>/draw/", setup.draw_room, name="setup_draw_room"),
    path("rooms/<int:pk>/undraw/", setup.undraw_room, name="setup_undraw_room"),
    path("secretaries/new/", setup.secretary_new, name="setup_secretary_new"),
    path("distribute/", setup.distribute, name="setup_distribute"),
    path("slots/<int:pk>/move/", setup.move, name="setup_move"),
    path("panels/", setup.panels, name="setup_panels"),
    path("draw/", setup.draws, name="setup_draw"),
    path("schedule/", setup.schedule, name="setup_schedule"),
    path("schedule.<str:fmt>", setup.schedule_file, name="setup_schedule_file"),
]

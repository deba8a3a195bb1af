"""Browser URLs of this app: the public application and the admins' onboarding workspace."""

from django.urls import include, path

from counties import views as county_views

from . import cohort_views, payout_account_views, training_views, views

onboarding_patterns = (
    [
        path("", views.onboarding_list, name="list"),
        path("partners/<int:partner_id>/", views.onboarding_detail, name="detail"),
        path("partners/<int:partner_id>/transition/", views.onboarding_transition, name="transition"),
        path(
            "partners/<int:partner_id>/set-password-link/",
            views.onboarding_new_set_password_link,
            name="set_password_link",
        ),
        path(
            "partners/<int:partner_id>/payout-account/",
            payout_account_views.onboarding_payout_account,
            name="payout_account",
        ),
        path("import/", views.onboarding_import, name="import"),
        path("import/confirm/", views.onboarding_import_confirm, name="import_confirm"),
        path("import/template.<str:fmt>", views.onboarding_import_template, name="import_template"),
        path("funnel/", views.onboarding_funnel, name="funnel"),
        path("activate/", cohort_views.cohort_activate, name="activate"),
        path("jobs/<int:job_id>/", cohort_views.job_detail, name="job"),
        path("jobs/<int:job_id>/sheet/", cohort_views.job_sheet, name="job_sheet"),
        path("training/", training_views.training_sessions, name="training"),
        path("training/courses/", training_views.training_courses, name="training_courses"),
        path("training/<int:session_id>/", training_views.training_session, name="training_session"),
        path("staff/", county_views.staff_list, name="staff"),
        path("staff/<int:user_id>/counties/", county_views.staff_assign, name="staff_assign"),
        path("staff/<int:user_id>/counties/<str:county_code>/remove/", county_views.staff_unassign, name="staff_unassign"),
    ],
    "onboarding",
)

urlpatterns = [
    path("s/<str:code>/", cohort_views.short_set_password_link, name="short_set_password_link"),
    path("apply/", views.apply, name="partner_apply"),
    path("apply/villages/", views.apply_villages, name="partner_apply_villages"),
    path("apply/thanks/", views.apply_thanks, name="partner_apply_thanks"),
    path("partner/payout-account/", payout_account_views.partner_payout_account, name="partner_payout_account"),
    path("onboarding/", include(onboarding_patterns)),
]

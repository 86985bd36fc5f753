from django.urls import path

from accounts.api import TokenView
from complaints.api import views

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("categories/", views.CategoryList.as_view(), name="api-categories"),
    path("causes/", views.CauseList.as_view(), name="api-causes"),
    path("complaints/", views.ComplaintListCreate.as_view(), name="api-complaints"),
    path("complaints/<int:pk>/", views.ComplaintDetail.as_view(), name="api-complaint"),
    path("complaints/<int:pk>/take/", views.TakeView.as_view(), name="api-complaint-take"),
    path("complaints/<int:pk>/contacts/", views.ContactListCreate.as_view(), name="api-complaint-contacts"),
    path("complaints/<int:pk>/notices/", views.NoticeListCreate.as_view(), name="api-complaint-notices"),
    path("complaints/<int:pk>/reply_to_body/", views.ReplyToBodyView.as_view(), name="api-complaint-reply"),
    path("complaints/<int:pk>/review/", views.ReviewCreate.as_view(), name="api-complaint-review"),
    path("reviews/", views.ReviewList.as_view(), name="api-reviews"),
    path("reviews/<int:pk>/decide/", views.ReviewDecide.as_view(), name="api-review-decide"),
    *[
        path(f"complaints/<int:pk>/{name}/", views.transition_view(name, body), name=f"api-complaint-{name}")
        for name, body in views.TRANSITION_BODIES.items()
    ],
]

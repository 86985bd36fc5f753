"""Approval API (API.md "Approvals"): thin callers of approvals.services."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from approvals import selectors, services
from approvals.models import ApprovalChain, ApprovalStep
from complaints import selectors as complaint_selectors
from complaints.api.serializers import ComplaintDetailOut, MoneyField, some_text
from complaints.exceptions import NotVisible


class PendingStepOut(serializers.ModelSerializer):
    complaint = serializers.IntegerField(source="chain.complaint_id")
    complaint_number = serializers.CharField(source="chain.complaint.number")
    level = serializers.CharField(source="chain.complaint.level")
    next_due = serializers.DateTimeField(source="chain.complaint.next_due")
    amount = MoneyField(source="chain.amount")
    remedy = serializers.CharField(source="chain.remedy")
    step = serializers.CharField(source="get_role_display")
    of = serializers.IntegerField(source="chain.step_count")
    proposed_by = serializers.CharField(source="chain.proposed_by.username")

    class Meta:
        model = ApprovalStep
        fields = ["id", "complaint", "complaint_number", "level", "next_due", "amount", "remedy", "step",
                  "role", "position", "of", "proposed_by"]


class StepOut(serializers.ModelSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    step = serializers.CharField(source="get_role_display")

    class Meta:
        model = ApprovalStep
        fields = ["id", "position", "role", "step", "status", "decided_by", "decided_at", "comment"]


class ChainOut(serializers.ModelSerializer):
    amount = MoneyField()
    proposed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    steps = StepOut(many=True, read_only=True)
    complaint_state = serializers.CharField(source="complaint.state")

    class Meta:
        model = ApprovalChain
        fields = ["id", "complaint", "complaint_state", "amount", "remedy", "tier_name", "status",
                  "proposed_by", "created_at", "closed_at", "step_count", "steps"]


class PendingApprovals(generics.ListAPIView):
    serializer_class = PendingStepOut
    queryset = ApprovalStep.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApprovalStep.objects.none()
        return selectors.pending_steps_for(user=self.request.user)


class ComplaintChain(APIView):
    @extend_schema(responses=ChainOut)
    def get(self, request, pk: int):
        complaint = complaint_selectors.get_visible(user=request.user, complaint_id=pk)
        chain = selectors.current_chain(complaint=complaint)
        if chain is None:
            raise NotVisible("This complaint has no proposal yet.")
        return Response(ChainOut(chain).data)


class ApproveIn(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectIn(serializers.Serializer):
    reason = some_text()


def _chain_of(step) -> Response:
    chain = ApprovalChain.objects.select_related("complaint", "proposed_by").prefetch_related(
        "steps__decided_by").get(pk=step.chain_id)
    return Response(ChainOut(chain).data)


class ApproveStep(APIView):
    @extend_schema(request=ApproveIn, responses=ChainOut)
    def post(self, request, pk: int):
        body = ApproveIn(data=request.data)
        body.is_valid(raise_exception=True)
        return _chain_of(services.step_approve(step_id=pk, by=request.user, **body.validated_data))


class RejectStep(APIView):
    @extend_schema(request=RejectIn, responses=ChainOut)
    def post(self, request, pk: int):
        body = RejectIn(data=request.data)
        body.is_valid(raise_exception=True)
        return _chain_of(services.step_reject(step_id=pk, by=request.user, **body.validated_data))


class PaymentIn(serializers.Serializer):
    reference = some_text(max_length=100)
    amount = MoneyField()


class RecordPayment(APIView):
    @extend_schema(request=PaymentIn, responses={201: ComplaintDetailOut})
    def post(self, request, pk: int):
        body = PaymentIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.payment_record(complaint_id=pk, by=request.user, **body.validated_data)
        complaint = complaint_selectors.complaint_detail(user=request.user, complaint_id=pk)
        return Response(ComplaintDetailOut(complaint, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


urlpatterns = [
    path("approvals/", PendingApprovals.as_view(), name="api-approvals"),
    path("approvals/<int:pk>/approve/", ApproveStep.as_view(), name="api-approval-approve"),
    path("approvals/<int:pk>/reject/", RejectStep.as_view(), name="api-approval-reject"),
    path("complaints/<int:pk>/approvals/", ComplaintChain.as_view(), name="api-complaint-approvals"),
    path("complaints/<int:pk>/payment/", RecordPayment.as_view(), name="api-complaint-payment"),
]

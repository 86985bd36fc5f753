"""Learn the tokens' weights of complaints/likeness.py from the latest complaints now
(beat does it every LIKENESS_WEIGHTS_SECONDS): after a bulk load, or to see the sample."""

from django.core.management.base import BaseCommand

from complaints.services.grouping import WEIGHTS_SAMPLE, learn_weights


class Command(BaseCommand):
    help = "Learn the likeness weights (how rare each token is) from the latest complaints."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=WEIGHTS_SAMPLE, help="how many of the latest complaints")

    def handle(self, *args, sample, **options):
        learnt = learn_weights(sample=sample)
        if learnt is None:
            self.stdout.write("No complaint to learn from.")
        else:
            self.stdout.write(f"Learnt from {learnt.cases:,} complaints: {len(learnt.counts) // 8:,} tokens counted.")

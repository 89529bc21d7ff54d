"""The ops server: enrolment, signed configuration bundles, rollout, health and inventory."""

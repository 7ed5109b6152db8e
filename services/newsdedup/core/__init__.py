"""Pure detection core: no Kafka, no clock, no globals."""

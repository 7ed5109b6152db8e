"""Kafka adapters: the only code that imports faust or aiokafka (besides the local broker helper)."""

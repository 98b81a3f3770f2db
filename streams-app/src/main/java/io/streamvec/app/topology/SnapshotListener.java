package io.streamvec.app.topology;

import io.streamvec.model.ModelSnapshot;

/**
 * Hears every snapshot right after it was handed to Kafka, with the name of its model (the query
 * API serves from it). Called on a stream thread: it must be quick and must not change the
 * snapshot.
 */
@FunctionalInterface
public interface SnapshotListener {
  void published(String model, ModelSnapshot snapshot);
}

/**
 * Pure math of streamvec: tokenizer, streaming vocabulary, next-word learner, snapshots. No Kafka
 * here.
 */
package io.streamvec.model;

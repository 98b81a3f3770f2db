package io.streamvec.model.query;

/**
 * One answer of a query: a word and its score (cosine similarity, or probability for predictions).
 */
public record WordScore(String word, double score) {}

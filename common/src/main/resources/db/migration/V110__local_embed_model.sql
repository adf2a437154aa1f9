-- The built-in embedding model of the local provider (POST /v1/embeddings), priced like local-echo:
-- the per-request price only. Embeddings make no output tokens; max_output_tokens must be positive.
INSERT INTO model_prices (model, product_id, input_per_million_micros, output_per_million_micros, max_output_tokens) VALUES
    ('local-embed', 'llm-proxy', 0, 0, 1);

-- The initial catalogue. Prices are integer micro-dollars; token prices per one million tokens.
-- Operators change prices with later migrations (the catalogue is versioned with the code).

INSERT INTO products (product_id, name, description, price_per_request_micros) VALUES
    ('llm-proxy', 'LLM proxy', 'Chat completions through any configured provider; per request plus per token', 1000);

INSERT INTO model_prices (model, product_id, input_per_million_micros, output_per_million_micros, max_output_tokens) VALUES
    ('local-echo',    'llm-proxy', 0,        0,         4096),
    ('gpt-4o-mini',   'llm-proxy', 150000,   600000,    16384),
    ('gpt-4o',        'llm-proxy', 2500000,  10000000,  16384),
    ('llama-3.1-8b-instant', 'llm-proxy', 50000, 80000, 8192);

-- Paddle price id -> credits granted per unit bought. The pri_local_* ids are the ones the local
-- Paddle stand-in sells; production operators add their real Paddle price ids.
INSERT INTO credit_packs (paddle_price_id, name, credits_micros, price_label) VALUES
    ('pri_local_5',  '$5 of credits',  5000000,  'USD 5.00'),
    ('pri_local_20', '$20 of credits', 20000000, 'USD 20.00'),
    ('pri_local_50', '$50 of credits', 50000000, 'USD 50.00');

-- A unit's writes (store/unit.rs `Writes`) applied in one round trip: the engine sends the
-- rows' columns as one jsonb argument (a part absent when empty) and the documents as text,
-- and this runs the statements it would otherwise send one by one, in the same order. Under
-- the routing lock every round trip is time no other routing decision can use. A row's
-- `doc` is its document's index in `docs`, so the stored text is the engine's own.
CREATE FUNCTION ferrochat_apply(w jsonb, docs text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    x jsonb;
BEGIN
    IF w ? 'rooms' THEN
        FOR x IN SELECT jsonb_array_elements(w->'rooms') LOOP
            IF (x->>'insert')::boolean THEN
                INSERT INTO rooms (id, token, open, department_id, served_by, ts, doc)
                VALUES (x->>'id', x->>'token', (x->>'open')::smallint, x->>'department_id',
                        x->>'served_by', (x->>'ts')::bigint, docs[(x->>'doc')::int]::json);
            ELSE
                UPDATE rooms SET token = x->>'token', open = (x->>'open')::smallint,
                    department_id = x->>'department_id', served_by = x->>'served_by',
                    ts = (x->>'ts')::bigint, doc = docs[(x->>'doc')::int]::json
                WHERE id = x->>'id';
            END IF;
        END LOOP;
    END IF;
    IF w ? 'inquiries' THEN
        FOR x IN SELECT jsonb_array_elements(w->'inquiries') LOOP
            IF (x->>'insert')::boolean THEN
                INSERT INTO inquiries (id, rid, status, department, ts, doc)
                VALUES (x->>'id', x->>'rid', x->>'status', x->>'department', (x->>'ts')::bigint,
                        docs[(x->>'doc')::int]::json);
            ELSE
                UPDATE inquiries SET rid = x->>'rid', status = x->>'status',
                    department = x->>'department', ts = (x->>'ts')::bigint,
                    doc = docs[(x->>'doc')::int]::json
                WHERE id = x->>'id';
            END IF;
        END LOOP;
    END IF;
    IF w ? 'inquiries_removed' THEN
        FOR x IN SELECT jsonb_array_elements(w->'inquiries_removed') LOOP
            DELETE FROM inquiries WHERE rid = x#>>'{}';
        END LOOP;
    END IF;
    IF w ? 'subscriptions_removed' THEN
        FOR x IN SELECT jsonb_array_elements(w->'subscriptions_removed') LOOP
            DELETE FROM subscriptions WHERE rid = x->>0 AND user_id = x->>1;
        END LOOP;
    END IF;
    IF w ? 'subscriptions' THEN
        FOR x IN SELECT jsonb_array_elements(w->'subscriptions') LOOP
            IF (x->>'insert')::boolean THEN
                INSERT INTO subscriptions (id, rid, user_id, doc)
                VALUES (x->>'id', x->>'rid', x->>'user_id', docs[(x->>'doc')::int]::json);
            ELSE
                UPDATE subscriptions SET doc = docs[(x->>'doc')::int]::json
                WHERE rid = x->>'rid' AND user_id = x->>'user_id';
            END IF;
        END LOOP;
    END IF;
    IF w ? 'messages' THEN
        FOR x IN SELECT jsonb_array_elements(w->'messages') LOOP
            INSERT INTO messages (id, rid, ts, t, hidden, token, doc)
            VALUES (x->>'id', x->>'rid', (x->>'ts')::bigint, x->>'t', (x->>'hidden')::boolean,
                    x->>'token', docs[(x->>'doc')::int]::json);
        END LOOP;
    END IF;
    IF w ? 'agents' THEN
        FOR x IN SELECT jsonb_array_elements(w->'agents') LOOP
            IF x->>'livechat_count' IS NOT NULL THEN
                UPDATE users SET livechat_count = (x->>'livechat_count')::bigint,
                    doc = jsonb_set(doc::jsonb, '{livechatCount}',
                                    to_jsonb((x->>'livechat_count')::bigint))::json
                WHERE id = x->>'agent_id';
            END IF;
            IF x->>'last_routing_time' IS NOT NULL THEN
                UPDATE users SET last_routing_time = (x->>'last_routing_time')::bigint,
                    doc = jsonb_set(doc::jsonb, '{lastRoutingTime}',
                                    to_jsonb(x->>'last_routing_time_iso'))::json
                WHERE id = x->>'agent_id';
            END IF;
        END LOOP;
    END IF;
    IF w ? 'seats' THEN
        FOR x IN SELECT jsonb_array_elements(w->'seats') LOOP
            UPDATE department_agents SET count = (x->>1)::bigint WHERE id = x->>0;
        END LOOP;
    END IF;
    IF w->>'visitor_id' IS NOT NULL THEN
        UPDATE visitors SET doc = jsonb_set(doc::jsonb, '{lastChat}', w->'last_chat')::json
        WHERE id = w->>'visitor_id';
    END IF;
    IF w ? 'contacts' THEN
        FOR x IN SELECT jsonb_array_elements(w->'contacts') LOOP
            UPDATE contacts SET name = x->>'name', doc = docs[(x->>'doc')::int]::json
            WHERE id = x->>'id';
        END LOOP;
    END IF;
    IF w->>'navigation_taken' IS NOT NULL THEN
        DELETE FROM navigation_pending WHERE token = w->>'navigation_taken';
    END IF;
END
$$;

-- 010: people whose address is in one of Microsoft's consumer domain families are personal
-- accounts (issue 12, point 7). The old rule knew seven domains only, so someone@outlook.de or
-- someone@hotmail.co.uk was stored as a work account. This applies the new rule (store.AccountKindOf:
-- msn.com, passport.com/.net, windowslive.com exactly; outlook.*, hotmail.*, live.* followed by a
-- country or generic label, optionally after co/com/net/org/ne/or) to the people already there.
UPDATE people SET account_kind = 'msa'
WHERE account_kind = 'work' AND id IN (
    SELECT id FROM (
        SELECT id, d, substr(d, instr(d, '.') + 1) AS rest FROM (
            SELECT id, lower(rtrim(substr(email, instr(email, '@') + 1), '.')) AS d FROM people WHERE instr(email, '@') > 0))
    WHERE d IN ('msn.com', 'passport.com', 'passport.net', 'windowslive.com')
       OR (substr(d, 1, instr(d, '.') - 1) IN ('outlook', 'hotmail', 'live') AND (
              (instr(rest, '.') = 0 AND length(rest) >= 2 AND rest NOT GLOB '*[^a-z]*')
           OR (substr(rest, 1, instr(rest, '.') - 1) IN ('co', 'com', 'net', 'org', 'ne', 'or')
               AND length(substr(rest, instr(rest, '.') + 1)) >= 2
               AND substr(rest, instr(rest, '.') + 1) NOT GLOB '*[^a-z]*'))));

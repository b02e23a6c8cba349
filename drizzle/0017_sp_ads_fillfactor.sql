-- Every row of amazon_sp_ads is rewritten four times after its first load (the day's restatements at
-- lookback 3, 7, 14 and 30). With half of each page kept free, the new version of a row fits on its own
-- page and PostgreSQL updates it in place (a HOT update: no new index entries, one page written instead
-- of two plus two index pages); the versions the restatement before left behind are pruned on the page.
-- Pages written before this migration keep their fill until they are rewritten.
ALTER TABLE "amazon_sp_ads" SET (fillfactor = 50);

-- Floe quickstart: live statistics of an online auction, 5 seconds at a time.
--
-- The `nexmark` connector generates the Nexmark benchmark's auction-site events (people, auctions and
-- bids). It is paced at 20,000 events per second of wall-clock time, so event time advances about as fast
-- as the clock and a 5-second window closes every 5 seconds. 600,000 events take about 30 seconds; then
-- the input ends, the last windows fire and the job stops.

CREATE TABLE events (
    event_type INT,
    person  ROW<id BIGINT, name VARCHAR, emailAddress VARCHAR, creditCard VARCHAR, city VARCHAR, state VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    auction ROW<id BIGINT, itemName VARCHAR, description VARCHAR, initialBid BIGINT, reserve BIGINT, `dateTime` TIMESTAMP(3), expires TIMESTAMP(3), seller BIGINT, category BIGINT, extra VARCHAR>,
    bid     ROW<auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, `dateTime` TIMESTAMP(3), extra VARCHAR>,
    `dateTime` AS CASE WHEN event_type = 0 THEN person.`dateTime`
                       WHEN event_type = 1 THEN auction.`dateTime`
                       ELSE bid.`dateTime` END,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '1' SECOND
) WITH (
    'connector' = 'nexmark',
    'first-event.rate' = '20000',
    'max-emit-speed' = 'false',
    'events.num' = '600000'
);

-- Only the bids, with their price in dollars.
CREATE TEMPORARY VIEW bids AS
SELECT bid.auction AS auction, bid.bidder AS bidder, bid.price / 100.0 AS dollars, bid.channel AS channel, `dateTime`
FROM events
WHERE event_type = 2;

-- Printed as each window closes: per 5-second window and sales channel, how many bids, how many distinct
-- bidders, and the highest and average bid.
CREATE TEMPORARY TABLE channel_stats (
    window_start TIMESTAMP(3),
    window_end   TIMESTAMP(3),
    channel      STRING,
    bids         BIGINT,
    bidders      BIGINT,
    top_bid      DECIMAL(12, 2),
    avg_bid      DECIMAL(12, 2)
) WITH ('connector' = 'print', 'print-identifier' = 'auction');

INSERT INTO channel_stats
SELECT window_start, window_end,
       CASE WHEN channel IN ('Google', 'Facebook', 'Baidu', 'Apple') THEN channel ELSE 'other' END,
       COUNT(*),
       COUNT(DISTINCT bidder),
       CAST(MAX(dollars) AS DECIMAL(12, 2)),
       CAST(AVG(dollars) AS DECIMAL(12, 2))
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(`dateTime`), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, CASE WHEN channel IN ('Google', 'Facebook', 'Baidu', 'Apple') THEN channel ELSE 'other' END;

-- Omnichannel contacts (7.0's `rocketchat_livechat_contact`): the person behind visitors.
CREATE TABLE contacts (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX contacts_name ON contacts (name);

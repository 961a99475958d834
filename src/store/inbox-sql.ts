// SQL both store backends run as it is (the same tables and columns in SQLite and PostgreSQL).

/** Inbox entries with a Qun message's text and font taken from where it is kept once. */
export const INBOX_SELECT = `
  SELECT m.id, m.sender, m.receiver, m.sent_at, m.msg_id, m.frag_count, m.frag_index, m.reply_type, m.kind, m.ref, m.qun, m.stranger,
         coalesce(q.text, m.text) AS text,
         CASE WHEN m.kind = 1 THEN q.text_bytes ELSE m.text_bytes END AS text_bytes,
         CASE WHEN m.kind = 1 THEN q.text_charset ELSE m.text_charset END AS text_charset,
         CASE WHEN m.kind = 1 THEN q.font_name ELSE m.font_name END AS font_name,
         CASE WHEN m.kind = 1 THEN q.font_size ELSE m.font_size END AS font_size,
         CASE WHEN m.kind = 1 THEN q.font_style ELSE m.font_style END AS font_style,
         CASE WHEN m.kind = 1 THEN q.font_color ELSE m.font_color END AS font_color
  FROM messages m LEFT JOIN qun_messages q ON m.kind = 1 AND q.id = m.ref`;

//! The client encodings a script declares (`SET client_encoding`, `SET
//! NAMES`, `set_config('client_encoding', ...)`: found by
//! [`StatementFacts::declared_encoding`](crate::facts::StatementFacts::declared_encoding)), and what reads them.
//!
//! psql sends a script's bytes as they are and tells the server their
//! encoding; a driver sends text, so `execute_file` decodes the file in the
//! encoding it declares (with the Python codec named here) and lets the
//! driver send it in the connection's own. A declaration is found by the
//! statement's tokens, never by searching its text.

/// Whether a file in `encoding` (a PostgreSQL name, upper case) is UTF-8 as
/// far as the server is concerned: SQL_ASCII passes its bytes on unchanged,
/// and a UTF-8 database checks them as UTF-8.
pub fn is_utf8(encoding: &str) -> bool {
    python_codec(encoding) == Some("utf-8")
}

/// The Python codec that decodes PostgreSQL's client encoding `encoding`
/// (any case, any of PostgreSQL's spellings), if Python has one.
pub fn python_codec(encoding: &str) -> Option<&'static str> {
    let name: String = encoding
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Some(match name.as_str() {
        "UTF8" | "UNICODE" | "SQLASCII" => "utf-8",
        "LATIN1" | "ISO88591" => "latin-1",
        "LATIN2" | "ISO88592" => "iso8859-2",
        "LATIN3" | "ISO88593" => "iso8859-3",
        "LATIN4" | "ISO88594" => "iso8859-4",
        "LATIN5" | "ISO88599" => "iso8859-9",
        "LATIN6" | "ISO885910" => "iso8859-10",
        "LATIN7" | "ISO885913" => "iso8859-13",
        "LATIN8" | "ISO885914" => "iso8859-14",
        "LATIN9" | "ISO885915" => "iso8859-15",
        "LATIN10" | "ISO885916" => "iso8859-16",
        "ISO88595" => "iso8859-5",
        "ISO88596" => "iso8859-6",
        "ISO88597" => "iso8859-7",
        "ISO88598" => "iso8859-8",
        "WIN866" | "ALT" => "cp866",
        "WIN874" => "cp874",
        "WIN1250" => "cp1250",
        "WIN1251" | "WIN" => "cp1251",
        "WIN1252" => "cp1252",
        "WIN1253" => "cp1253",
        "WIN1254" => "cp1254",
        "WIN1255" => "cp1255",
        "WIN1256" => "cp1256",
        "WIN1257" => "cp1257",
        "WIN1258" | "ABC" | "TCVN" | "TCVN5712" | "VSCII" => "cp1258",
        "KOI8R" | "KOI8" => "koi8-r",
        "KOI8U" => "koi8-u",
        "EUCJP" => "euc-jp",
        "EUCJIS2004" => "euc-jis-2004",
        "EUCCN" => "gb2312",
        "EUCKR" => "euc-kr",
        "SJIS" | "SHIFTJIS" | "MSKANJI" => "cp932",
        "SHIFTJIS2004" => "shift-jis-2004",
        "BIG5" => "cp950",
        "GBK" | "CP936" | "WIN936" => "gbk",
        "GB18030" => "gb18030",
        "UHC" | "WIN949" => "cp949",
        "JOHAB" => "johab",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgresql_spellings_of_an_encoding() {
        for name in ["UTF8", "utf-8", "Unicode", "SQL_ASCII"] {
            assert!(is_utf8(name), "{name}");
        }
        assert_eq!(python_codec("latin1"), Some("latin-1"));
        assert_eq!(python_codec("ISO_8859_5"), Some("iso8859-5"));
        assert_eq!(python_codec("MULE_INTERNAL"), None);
        assert!(!is_utf8("WIN1252"));
    }
}

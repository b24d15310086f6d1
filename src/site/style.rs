//! The stylesheet as every page carries it: `static/style.css` without its comments.

use cssparser::{Parser, ParserInput, Token};

/// `css` without its comments. They are for the theme's editors (4.4 KB of this theme's
/// 24 KB), not for readers, and the inlined copy is part of every page a phone downloads.
/// cssparser finds them, so `/*` inside a string or `url()` stays; everything else is kept
/// byte for byte.
pub(super) fn without_comments(css: &str) -> String {
    let mut input = ParserInput::new(css);
    let mut parser = Parser::new(&mut input);
    let mut comments = Vec::new();
    find_comments(&mut parser, &mut comments);
    let mut out = String::with_capacity(css.len());
    let mut from = 0;
    for (start, end) in comments {
        out.push_str(&css[from..start]);
        from = end;
    }
    out.push_str(&css[from..]);
    out
}

/// The byte ranges of the comments, in order, inside blocks too.
fn find_comments(parser: &mut Parser<'_, '_>, comments: &mut Vec<(usize, usize)>) {
    loop {
        let start = parser.position().byte_index();
        let Ok(token) = parser.next_including_whitespace_and_comments() else {
            return;
        };
        let opens_block = matches!(
            token,
            Token::Function(_)
                | Token::ParenthesisBlock
                | Token::SquareBracketBlock
                | Token::CurlyBracketBlock
        );
        if matches!(token, Token::Comment(_)) {
            comments.push((start, parser.position().byte_index()));
        } else if opens_block {
            let _ = parser.parse_nested_block(|p| {
                find_comments(p, comments);
                Ok::<(), cssparser::ParseError<'_, ()>>(())
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_go_everywhere_and_nothing_else_does() {
        let css = "/* head */\nbody { color: red; /* why */ }\n\
                   @media (min-width: 40em) { /* wide */ a::after { content: \"/* not a comment */\"; } }\n\
                   .x { background: url(/*nope*/a.png); width: calc(1px + /* in */ 2px); }\n";
        assert_eq!(
            without_comments(css),
            "\nbody { color: red;  }\n\
             @media (min-width: 40em) {  a::after { content: \"/* not a comment */\"; } }\n\
             .x { background: url(/*nope*/a.png); width: calc(1px +  2px); }\n"
        );
    }

    #[test]
    fn a_stylesheet_without_comments_is_unchanged() {
        let css = "body { font-family: sans-serif; }\n";
        assert_eq!(without_comments(css), css);
    }
}

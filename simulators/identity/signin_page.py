"""The sign-in page (统一身份认证 登录) and the error page of the authorization endpoint.

Self-contained HTML: one inline stylesheet (allowed by its hash in the Content-Security-Policy), no
script, no image, no other host. Every value from the request is HTML-escaped. The headers forbid
framing and caching; the form may post only to this origin, and the redirect that follows a sign-in
may go only to the client's redirect origin (`form-action` covers redirects).
"""

from __future__ import annotations

import base64
import hashlib
from html import escape

_CSS = """
*{box-sizing:border-box}
html{font-size:16px}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:#eef2f7;color:#1f2937;
font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",
"WenQuanYi Micro Hei",sans-serif;line-height:1.6}
.bar{background:#1d4f91;color:#fff}
.bar-inner{max-width:1120px;margin:0 auto;padding:14px 24px;display:flex;align-items:center;gap:12px}
.badge{display:inline-flex;align-items:center;justify-content:center;width:36px;height:36px;
border:2px solid #fff;border-radius:50%;font-weight:700}
.org{font-size:1.15rem;font-weight:600;letter-spacing:.05em}
main{flex:1;display:flex;align-items:flex-start;justify-content:center;padding:56px 24px}
.card{width:100%;max-width:420px;background:#fff;border:1px solid #d0d7e2;border-top:4px solid #1d4f91;
border-radius:6px;padding:32px 36px;box-shadow:0 2px 10px rgba(15,35,70,.08)}
h1{margin:0 0 4px;font-size:1.5rem;text-align:center}
.client{margin:0 0 24px;text-align:center;color:#4b5563;font-size:.95rem}
.alert{margin:0 0 16px;padding:10px 12px;border:1px solid #f1aeb5;border-left:4px solid #b42318;
border-radius:4px;background:#fef3f2;color:#8f1c12}
.field{margin-bottom:18px}
label{display:block;margin-bottom:6px;font-weight:600}
input[type=text],input[type=password]{width:100%;padding:10px 12px;font:inherit;color:inherit;
border:1px solid #6b7583;border-radius:4px;background:#fff}
input[aria-invalid=true]{border-color:#b42318}
input:focus-visible,button:focus-visible{outline:3px solid #f0a500;outline-offset:2px}
.hint{margin:6px 0 0;color:#8f1c12;font-size:.9rem}
button{width:100%;padding:11px;font:inherit;font-weight:600;letter-spacing:.3em;color:#fff;
background:#1d4f91;border:0;border-radius:4px;cursor:pointer}
button:hover{background:#173f74}
.note{margin:20px 0 0;color:#4b5563;font-size:.85rem;text-align:center}
footer{padding:16px 24px;text-align:center;color:#4b5563;font-size:.85rem}
@media (max-width:480px){main{padding:24px 12px}.card{padding:24px 20px}}
"""

_CSS_HASH = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()

SIGN_IN_TITLE = "统一身份认证 登录"
WRONG_CREDENTIALS = "用户名或密码错误"
FORM_EXPIRED = "登录页面已失效，请重新输入用户名和密码"


def page_headers(*, form_action: str | None) -> dict[str, str]:
    """No caching, no framing, and a policy that lets the page load nothing but its own stylesheet.

    `form_action` is the origin the sign-in may redirect to (None: the page has no form)."""
    targets = f"'self' {form_action}" if form_action else "'none'"
    policy = (f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src data:; "
              f"form-action {targets}; frame-ancestors 'none'; base-uri 'none'")
    return {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }


def _document(title: str, body: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f"<style>{_CSS}</style>\n</head>\n<body>\n"
        '<header class="bar"><div class="bar-inner"><span class="badge" aria-hidden="true">证</span>'
        '<span class="org">潮州市统一身份认证平台</span></div></header>\n'
        f"<main>\n{body}\n</main>\n"
        "<footer>潮州市司法局 · 行政执法监督</footer>\n</body>\n</html>\n"
    )


def sign_in_page(
    *,
    client_name: str,
    hidden: dict[str, str],
    username: str = "",
    error: str | None = None,
    missing: frozenset[str] = frozenset(),
) -> str:
    """The form. `error` is shown above the fields and described by both; `missing` names empty fields."""
    fields = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">\n'
        for name, value in hidden.items()
    )
    alert = f'<p class="alert" role="alert" id="form-error">{escape(error)}</p>\n' if error else ""

    def field(name: str, label: str, kind: str, value: str, autocomplete: str, empty_hint: str) -> str:
        described = ["form-error"] if error else []
        hint = ""
        if name in missing:
            described.append(f"{name}-hint")
            hint = f'<p class="hint" id="{name}-hint">{escape(empty_hint)}</p>'
        invalid = ' aria-invalid="true"' if described else ""
        describedby = f' aria-describedby="{" ".join(described)}"' if described else ""
        autofocus = " autofocus" if (name == "username") != bool(username) else ""
        shown = f' value="{escape(value)}"' if value else ""
        return (
            f'<div class="field"><label for="{name}">{label}</label>'
            f'<input id="{name}" name="{name}" type="{kind}" autocomplete="{autocomplete}" required'
            f'{shown}{invalid}{describedby}{autofocus}>{hint}</div>\n'
        )

    body = (
        '<section class="card" aria-labelledby="title">\n'
        f'<h1 id="title">{SIGN_IN_TITLE}</h1>\n'
        f'<p class="client">登录后进入：<strong>{escape(client_name)}</strong></p>\n'
        f"{alert}"
        '<form method="post" action="/oauth/authorize">\n'
        f"{fields}"
        + field("username", "用户名", "text", username, "username", "请输入用户名")
        + field("password", "密码", "password", "", "current-password", "请输入密码")
        + '<button type="submit">登录</button>\n</form>\n'
        '<p class="note">请使用本单位分配的账号登录；忘记密码请联系本单位系统管理员。</p>\n'
        "</section>"
    )
    return _document(SIGN_IN_TITLE, body)


def error_page(*, title: str, message: str) -> str:
    """A page that explains why the sign-in cannot go on, and sends the user nowhere."""
    body = (
        '<section class="card" aria-labelledby="title">\n'
        f'<h1 id="title">{escape(title)}</h1>\n'
        f'<p class="alert" role="alert">{escape(message)}</p>\n'
        '<p class="note">请关闭本页，回到原系统重新发起登录；如仍有问题，请联系系统管理员。</p>\n'
        "</section>"
    )
    return _document(title, body)

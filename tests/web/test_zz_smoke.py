def test_smoke(console):
    c = console.client("supervisor1")
    r = c.get("/")
    assert r.status_code == 303, r.text[:500]
    r = console.client(None).get("/dashboard")
    print(r.status_code, r.headers.get("location"))

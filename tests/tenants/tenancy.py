from tests.tenancy import detail_route


@detail_route("api:organisation-detail")
def organisation(org):
    return {"slug": org.slug}

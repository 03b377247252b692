using Microsoft.AspNetCore.Http;

namespace StreamList.Testing.Server;

/// <summary>
/// A LIST request's parameters, validated as the apiserver validates them (400 on anything it
/// rejects): <c>limit</c>, <c>continue</c>, <c>resourceVersion</c>, <c>resourceVersionMatch</c>,
/// <c>labelSelector</c>, <c>fieldSelector</c>. Pure: no I/O, no population.
/// </summary>
internal sealed record ListQuery(long Limit, ContinueToken? Continue, string ResourceVersion, long? ResourceVersionNumber, string ResourceVersionMatch, PodFilter Filter)
{
    public const string Exact = "Exact";
    public const string NotOlderThan = "NotOlderThan";

    /// <summary>True for <c>resourceVersion=0</c>: served from the "watch cache", which ignores <c>limit</c>.</summary>
    public bool AnyVersion => ResourceVersion == "0";

    /// <summary>Where the apiserver serves this list (<see cref="RequestKind"/>).</summary>
    public RequestKind Kind => this switch
    {
        { Continue: not null } => RequestKind.ContinueList,
        { ResourceVersionNumber: null } => RequestKind.ConsistentList,
        { AnyVersion: true } => RequestKind.CacheList,
        { ResourceVersionMatch: Exact } => RequestKind.ExactList,
        { ResourceVersionMatch: NotOlderThan } => RequestKind.CacheList,
        { Limit: > 0 } => RequestKind.ExactList, // legacy semantics: a numeric RV with a limit is an exact read
        _ => RequestKind.CacheList,
    };

    public static bool TryParse(IQueryCollection query, string? pathNamespace, bool shards, out ListQuery? result, out string error)
    {
        result = null;
        string limitText = query["limit"].ToString();
        string continueText = query["continue"].ToString();
        string rv = query["resourceVersion"].ToString();
        string match = query["resourceVersionMatch"].ToString();

        long limit = 0;
        if (limitText.Length > 0 && !long.TryParse(limitText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out limit))
            return Fail($"limit: invalid value \"{limitText}\"", out error);
        limit = Math.Max(0, limit);

        ContinueToken? token = null;
        if (continueText.Length > 0)
        {
            if (!ContinueToken.TryParse(continueText, out var parsed))
                return Fail("continue key is not valid: the token is not one this server issued", out error);
            if (rv.Length > 0)
                return Fail("specifying resource version is not allowed when using continue", out error);
            if (match.Length > 0)
                return Fail("specifying resourceVersionMatch is not allowed when using continue", out error);
            token = parsed;
        }

        if (match.Length > 0 && match is not (Exact or NotOlderThan))
            return Fail($"resourceVersionMatch: Unsupported value: \"{match}\": supported values: \"Exact\", \"NotOlderThan\"", out error);
        if (match.Length > 0 && rv.Length == 0)
            return Fail("resourceVersionMatch is forbidden unless resourceVersion is provided", out error);
        if (match == Exact && rv == "0")
            return Fail("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"", out error);

        long? number = null;
        if (rv.Length > 0)
        {
            if (!long.TryParse(rv, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n))
                return Fail($"invalid resource version \"{rv}\"", out error);
            number = n;
        }

        if (!PodFilter.TryParse(query, pathNamespace, shards, out var filter, out error))
            return false;

        result = new ListQuery(limit, token, rv, number, match, filter);
        return true;
    }

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}

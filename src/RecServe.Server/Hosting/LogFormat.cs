namespace RecServe.Server.Hosting;

/// <summary>How the server writes its log to stdout.</summary>
public enum LogFormat
{
    /// <summary>One human-readable line per message (<c>HH:mm:ss.fff info: Category[id] message</c>).</summary>
    Text,

    /// <summary>
    /// One JSON object per line (ASP.NET Core's JSON console format: <c>Timestamp</c>, <c>EventId</c>, <c>LogLevel</c>,
    /// <c>Category</c>, <c>Message</c>, <c>State</c>), for log collectors.
    /// </summary>
    Json,
}

using LoadReport;

// Renders the raw results of bench/load/run.sh into bench/RESULTS.md's "HTTP load (wrk)" section and an SVG chart:
//
//   dotnet run --project bench/load/LoadReport -c Release -- <out dir> <RESULTS.md> <chart.svg>
//
// Reads <out dir>/runs.jsonl (one line per measured wrk run) and <out dir>/meta.tsv. In RESULTS.md only the block
// between the http-load markers is replaced (appended at the end if absent); everything else in the file (the
// BenchmarkDotNet section) is left as it is.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: dotnet run --project bench/load/LoadReport -c Release -- <out dir> <RESULTS.md> <chart.svg>");
    return 2;
}

var outDir = args[0];
var resultsPath = args[1];
var svgPath = args[2];
var metadata = RunMetadata.Read(Path.Combine(outDir, "meta.tsv"));
var runsPath = Path.Combine(outDir, "runs.jsonl");
if (!File.Exists(runsPath))
{
    Console.Error.WriteLine($"no {runsPath}: the first argument must be the out dir bench/load/run.sh wrote");
    return 2;
}

IReadOnlyList<Run> runs;
try
{
    runs = RunReader.Read(runsPath);
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

if (runs.Count == 0)
{
    Console.Error.WriteLine($"no runs in {outDir}/runs.jsonl");
    return 1;
}

var results = ResultTable.From(runs);
var svgRelative = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(resultsPath))!, Path.GetFullPath(svgPath)).Replace('\\', '/');
ResultsFile.ReplaceSection(resultsPath, MarkdownSection.Render(metadata, results, svgRelative));
File.WriteAllText(svgPath, SvgChart.Render(metadata, results));
Console.WriteLine($"wrote {resultsPath} (HTTP load section) and {svgPath} from {runs.Count} runs");
return 0;

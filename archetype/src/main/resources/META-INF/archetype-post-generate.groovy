// Keeps the classes of the chosen pattern: src/{main,test}/java/PACKAGE/PATTERN/*.java move up into
// PACKAGE, and the folders of the other patterns are deleted. Runs once, right after generation.
import java.nio.file.Files
import java.nio.file.Path
import java.nio.file.Paths
import java.nio.file.StandardCopyOption

def pattern = request.properties.get('pattern')
def patterns = ['ondemand', 'continuous', 'streaming']
if (!patterns.contains(pattern)) {
    throw new IllegalArgumentException("pattern must be one of ${patterns.join(', ')}; got '${pattern}'")
}
Path project = Paths.get(request.outputDirectory, request.artifactId)
String packagePath = request.packageName.replace('.', '/')

def deleteTree = { Path dir ->
    if (Files.exists(dir)) {
        Files.walk(dir).sorted(Comparator.reverseOrder()).each { Files.delete(it) }
    }
}

['src/main/java', 'src/test/java'].each { String root ->
    Path base = project.resolve(root).resolve(packagePath)
    Path chosen = base.resolve(pattern)
    if (Files.isDirectory(chosen)) {
        Files.list(chosen).each { Files.move(it, base.resolve(it.fileName.toString()), StandardCopyOption.REPLACE_EXISTING) }
    }
    patterns.each { deleteTree(base.resolve(it)) }
}

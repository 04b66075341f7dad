// After the generated project built: its Kubernetes manifests are there, named after the project, with no
// template expression left unresolved, and the token comes from a Secret, never inline.
// basedir is the test's folder; the generated project is the folder below it that has a pom.xml and a k8s/
def project = null
basedir.eachFileRecurse(groovy.io.FileType.DIRECTORIES) { d ->
    if (project == null && d.name == 'k8s' && new File(d.parentFile, 'pom.xml').isFile()) {
        project = d.parentFile
    }
}
assert project != null : "no generated project with a k8s/ folder below ${basedir}"
def k8s = new File(project, 'k8s')
def files = ['kustomization.yaml', 'deployment.yaml', 'serviceaccount.yaml', 'role.yaml', 'rolebinding.yaml', 'service.yaml',
             'driver-service.yaml', 'settings.yaml', 'spark.yaml', 'pdb.yaml']
files.each { file ->
    def f = new File(k8s, file)
    assert f.isFile() : "k8s/${file} was not generated"
    def text = f.text
    assert !text.contains('${') : "k8s/${file} has an unresolved template expression"
    assert !text.contains('kindling-service') : "k8s/${file} still names Kindling's own service"
}
def deployment = new File(k8s, 'deployment.yaml').text
def name = project.name
assert deployment.contains("name: ${name}\n") : 'the Deployment is named after the project'
assert deployment.contains("image: ${name}:1.0-SNAPSHOT") : 'the image is the project and its version'
assert deployment.contains('secretKeyRef:') && deployment.contains("name: ${name}-secrets") : 'the token comes from a Secret'
assert deployment.contains('-Dspark.kubernetes.driver.pod.name=$(POD_NAME)') : 'the driver pod name comes from the downward API'
return true

<?xml version='1.0' encoding='UTF-8'?>
<!-- compiled from bulletin.sch (sha256 895d66bdcc77ee6a0d67df21391cc64ec696cb542fca89936083dcd401735ac9) by `make schemas`: do not edit --><axsl:stylesheet xmlns:axsl="http://www.w3.org/1999/XSL/Transform" xmlns:sch="http://www.ascc.net/xml/schematron" xmlns:iso="http://purl.oclc.org/dsdl/schematron" xmlns:b="urn:bulletin-convert:canonical:1" version="1.0"><!--Implementers: please note that overriding process-prolog or process-root is 
    the preferred method for meta-stylesheets to use where possible. -->
<axsl:param name="archiveDirParameter"/><axsl:param name="archiveNameParameter"/><axsl:param name="fileNameParameter"/><axsl:param name="fileDirParameter"/>

<!--PHASES-->


<!--PROLOG-->
<axsl:output xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" xmlns:svrl="http://purl.oclc.org/dsdl/svrl" method="xml" omit-xml-declaration="no" standalone="yes" indent="yes"/>

<!--KEYS-->


<!--DEFAULT RULES-->


<!--MODE: SCHEMATRON-SELECT-FULL-PATH-->
<!--This mode can be used to generate an ugly though full XPath for locators-->
<axsl:template match="*" mode="schematron-select-full-path"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:template>

<!--MODE: SCHEMATRON-FULL-PATH-->
<!--This mode can be used to generate an ugly though full XPath for locators-->
<axsl:template match="*" mode="schematron-get-full-path"><axsl:apply-templates select="parent::*" mode="schematron-get-full-path"/><axsl:text>/</axsl:text><axsl:choose><axsl:when test="namespace-uri()=''"><axsl:value-of select="name()"/><axsl:variable name="p_1" select="1+    count(preceding-sibling::*[name()=name(current())])"/><axsl:if test="$p_1&gt;1 or following-sibling::*[name()=name(current())]">[<axsl:value-of select="$p_1"/>]</axsl:if></axsl:when><axsl:otherwise><axsl:text>*[local-name()='</axsl:text><axsl:value-of select="local-name()"/><axsl:text>' and namespace-uri()='</axsl:text><axsl:value-of select="namespace-uri()"/><axsl:text>']</axsl:text><axsl:variable name="p_2" select="1+   count(preceding-sibling::*[local-name()=local-name(current())])"/><axsl:if test="$p_2&gt;1 or following-sibling::*[local-name()=local-name(current())]">[<axsl:value-of select="$p_2"/>]</axsl:if></axsl:otherwise></axsl:choose></axsl:template><axsl:template match="@*" mode="schematron-get-full-path"><axsl:text>/</axsl:text><axsl:choose><axsl:when test="namespace-uri()=''">@<axsl:value-of select="name()"/></axsl:when><axsl:otherwise><axsl:text>@*[local-name()='</axsl:text><axsl:value-of select="local-name()"/><axsl:text>' and namespace-uri()='</axsl:text><axsl:value-of select="namespace-uri()"/><axsl:text>']</axsl:text></axsl:otherwise></axsl:choose></axsl:template>

<!--MODE: SCHEMATRON-FULL-PATH-2-->
<!--This mode can be used to generate prefixed XPath for humans-->
<axsl:template match="node() | @*" mode="schematron-get-full-path-2"><axsl:for-each select="ancestor-or-self::*"><axsl:text>/</axsl:text><axsl:value-of select="name(.)"/><axsl:if test="preceding-sibling::*[name(.)=name(current())]"><axsl:text>[</axsl:text><axsl:value-of select="count(preceding-sibling::*[name(.)=name(current())])+1"/><axsl:text>]</axsl:text></axsl:if></axsl:for-each><axsl:if test="not(self::*)"><axsl:text/>/@<axsl:value-of select="name(.)"/></axsl:if></axsl:template>

<!--MODE: GENERATE-ID-FROM-PATH -->
<axsl:template match="/" mode="generate-id-from-path"/><axsl:template match="text()" mode="generate-id-from-path"><axsl:apply-templates select="parent::*" mode="generate-id-from-path"/><axsl:value-of select="concat('.text-', 1+count(preceding-sibling::text()), '-')"/></axsl:template><axsl:template match="comment()" mode="generate-id-from-path"><axsl:apply-templates select="parent::*" mode="generate-id-from-path"/><axsl:value-of select="concat('.comment-', 1+count(preceding-sibling::comment()), '-')"/></axsl:template><axsl:template match="processing-instruction()" mode="generate-id-from-path"><axsl:apply-templates select="parent::*" mode="generate-id-from-path"/><axsl:value-of select="concat('.processing-instruction-', 1+count(preceding-sibling::processing-instruction()), '-')"/></axsl:template><axsl:template match="@*" mode="generate-id-from-path"><axsl:apply-templates select="parent::*" mode="generate-id-from-path"/><axsl:value-of select="concat('.@', name())"/></axsl:template><axsl:template match="*" mode="generate-id-from-path" priority="-0.5"><axsl:apply-templates select="parent::*" mode="generate-id-from-path"/><axsl:text>.</axsl:text><axsl:value-of select="concat('.',name(),'-',1+count(preceding-sibling::*[name()=name(current())]),'-')"/></axsl:template><!--MODE: SCHEMATRON-FULL-PATH-3-->
<!--This mode can be used to generate prefixed XPath for humans 
	(Top-level element has index)-->
<axsl:template match="node() | @*" mode="schematron-get-full-path-3"><axsl:for-each select="ancestor-or-self::*"><axsl:text>/</axsl:text><axsl:value-of select="name(.)"/><axsl:if test="parent::*"><axsl:text>[</axsl:text><axsl:value-of select="count(preceding-sibling::*[name(.)=name(current())])+1"/><axsl:text>]</axsl:text></axsl:if></axsl:for-each><axsl:if test="not(self::*)"><axsl:text/>/@<axsl:value-of select="name(.)"/></axsl:if></axsl:template>

<!--MODE: GENERATE-ID-2 -->
<axsl:template match="/" mode="generate-id-2">U</axsl:template><axsl:template match="*" mode="generate-id-2" priority="2"><axsl:text>U</axsl:text><axsl:number level="multiple" count="*"/></axsl:template><axsl:template match="node()" mode="generate-id-2"><axsl:text>U.</axsl:text><axsl:number level="multiple" count="*"/><axsl:text>n</axsl:text><axsl:number count="node()"/></axsl:template><axsl:template match="@*" mode="generate-id-2"><axsl:text>U.</axsl:text><axsl:number level="multiple" count="*"/><axsl:text>_</axsl:text><axsl:value-of select="string-length(local-name(.))"/><axsl:text>_</axsl:text><axsl:value-of select="translate(name(),':','.')"/></axsl:template><!--Strip characters--><axsl:template match="text()" priority="-1"/>

<!--SCHEMA METADATA-->
<axsl:template match="/"><svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" title="Canonical bulletin 1.2: co-occurrence rules" schemaVersion=""><axsl:comment><axsl:value-of select="$archiveDirParameter"/>   
		 <axsl:value-of select="$archiveNameParameter"/>  
		 <axsl:value-of select="$fileNameParameter"/>  
		 <axsl:value-of select="$fileDirParameter"/></axsl:comment><svrl:ns-prefix-in-attribute-values uri="urn:bulletin-convert:canonical:1" prefix="b"/><svrl:active-pattern><axsl:attribute name="id">bulletin-1.2</axsl:attribute><axsl:attribute name="name">bulletin-1.2</axsl:attribute><axsl:apply-templates/></svrl:active-pattern><axsl:apply-templates select="/" mode="M2"/></svrl:schematron-output></axsl:template>

<!--SCHEMATRON PATTERNS-->
<svrl:text xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron">Canonical bulletin 1.2: co-occurrence rules</svrl:text>

<!--PATTERN bulletin-1.2-->


	<!--RULE -->
<axsl:template match="b:date" priority="1007" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:date"/><axsl:variable name="m" select="number(substring(@when, string-length(@when) - 4, 2))"/><axsl:variable name="d" select="number(substring(@when, string-length(@when) - 1, 2))"/><axsl:variable name="shaped" select="(translate(@when, '0123456789', '0000000000') = '0000-00-00'                        or translate(@when, '0123456789', '0000000000') = '--00-00')                       and $m &gt;= 1 and $m &lt;= 12"/><axsl:variable name="yearless" select="starts-with(@when, '--')"/><axsl:variable name="y" select="number(substring(@when, 1, 4))"/><axsl:variable name="leap" select="$yearless or ($y mod 4 = 0 and $y mod 100 != 0) or $y mod 400 = 0"/><axsl:variable name="last" select="31 - ($m = 4 or $m = 6 or $m = 9 or $m = 11) - ($m = 2) * (3 - $leap)"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not($shaped) or $yearless or $d &lt;= $last"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not($shaped) or $yearless or $d &lt;= $last"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[calendar-date] date/@when="<axsl:text/><axsl:value-of select="@when"/><axsl:text/>" is not a real calendar date: month <axsl:text/><axsl:value-of select="$m"/><axsl:text/> of <axsl:text/><axsl:value-of select="$y"/><axsl:text/> has <axsl:text/><axsl:value-of select="$last"/><axsl:text/> days.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not($shaped) or not($yearless) or $d &lt;= $last"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not($shaped) or not($yearless) or $d &lt;= $last"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[month-day] date/@when="<axsl:text/><axsl:value-of select="@when"/><axsl:text/>" is not a real month and day: month <axsl:text/><axsl:value-of select="$m"/><axsl:text/> never has <axsl:text/><axsl:value-of select="$d"/><axsl:text/> days.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(@year-from and $yearless)"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(@year-from and $yearless)"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[year-from] date/@year-from="<axsl:text/><axsl:value-of select="@year-from"/><axsl:text/>" says where the year came from, but @when="<axsl:text/><axsl:value-of select="@when"/><axsl:text/>" has no year: year-from belongs only on a full date (YYYY-MM-DD).</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:bulletin" priority="1006" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:bulletin"/><axsl:variable name="when" select="string(b:head/b:dateline/b:date/@when)"/><axsl:variable name="shaped" select="not($when) or translate($when, '0123456789', '0000000000') = '0000-00-00'                       or translate($when, '0123456789', '0000000000') = '--00-00'"/><axsl:variable name="yearless" select="starts-with($when, '--')"/><axsl:variable name="datepart" select="concat(substring('undated', 1, 7 * not($when)),                              substring(concat('xxxx', substring($when, 2)), 1, 10 * $yearless),                              substring($when, 1, 10 * not($yearless)))"/><axsl:variable name="agency" select="translate(normalize-space(b:head/b:dateline/b:agency),                                 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/><axsl:variable name="prefix" select="concat($datepart, substring('-', 1, string-length($agency)), $agency)"/><axsl:variable name="dated-ok" select="not($shaped) or @id = $datepart or starts-with(@id, concat($datepart, '-'))"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="$dated-ok"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="$dated-ok"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[id-date] the id "<axsl:text/><axsl:value-of select="@id"/><axsl:text/>" must start with "<axsl:text/><axsl:value-of select="$datepart"/><axsl:text/>", the date part the dateline gives (YYYY-MM-DD, xxxx-MM-DD for a year-less date, undated without a date).</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not($shaped and $dated-ok) or @id = $prefix or starts-with(@id, concat($prefix, '-'))"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not($shaped and $dated-ok) or @id = $prefix or starts-with(@id, concat($prefix, '-'))"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[id-agency] the id "<axsl:text/><axsl:value-of select="@id"/><axsl:text/>" must start with "<axsl:text/><axsl:value-of select="$prefix"/><axsl:text/>": the date part, then "-" and the dateline's agency in lower case.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:byline | b:dateline" priority="1005" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:byline | b:dateline"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="normalize-space(.)"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="normalize-space(.)"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[no-empty-head] the <axsl:text/><axsl:value-of select="name(.)"/><axsl:text/> has no text: its string value is the original <axsl:text/><axsl:value-of select="name(.)"/><axsl:text/> text and must not be empty.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(b:name[2] and (../../@version = '1.0' or ../../@version = '1.1'))"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(b:name[2] and (../../@version = '1.0' or ../../@version = '1.1'))"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[version] the document says version="<axsl:text/><axsl:value-of select="../../@version"/><axsl:text/>" but its byline names several authors, which version 1.2 added: it must say version="1.2".</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:source" priority="1004" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:source"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(* and (../../@version = '1.0' or ../../@version = '1.1'))"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(* and (../../@version = '1.0' or ../../@version = '1.1'))"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[version] the document says version="<axsl:text/><axsl:value-of select="../../@version"/><axsl:text/>" but its source has a page or capture, which version 1.2 added: it must say version="1.2".</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:chrome" priority="1003" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:chrome"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(@kind and (../../../@version = '1.0' or ../../../@version = '1.1'))"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(@kind and (../../../@version = '1.0' or ../../../@version = '1.1'))"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[version] the document says version="<axsl:text/><axsl:value-of select="../../../@version"/><axsl:text/>" but a removed region has a kind, which version 1.2 added: it must say version="1.2".</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:list" priority="1002" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:list"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="normalize-space(.)"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="normalize-space(.)"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[no-empty-block] empty list: a list must hold text.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(@type = 'plain' and @marker)"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(@type = 'plain' and @marker)"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[list-marker] a plain list has no marker (marker="<axsl:text/><axsl:value-of select="@marker"/><axsl:text/>").</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="@type = 'plain' or @marker"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="@type = 'plain' or @marker"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[list-marker] a <axsl:text/><axsl:value-of select="@type"/><axsl:text/> list keeps its source marker in @marker.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:quote | b:qa | b:resolution" priority="1001" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:quote | b:qa | b:resolution"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="normalize-space(.)"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="normalize-space(.)"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[no-empty-block] empty <axsl:text/><axsl:value-of select="name(.)"/><axsl:text/>: a <axsl:text/><axsl:value-of select="name(.)"/><axsl:text/> must hold text.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template>

	<!--RULE -->
<axsl:template match="b:digest" priority="1000" mode="M2"><svrl:fired-rule xmlns:svrl="http://purl.oclc.org/dsdl/svrl" context="b:digest"/>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(number(@item) &gt; number(@items))"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(number(@item) &gt; number(@items))"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[digest-item] digest/@item=<axsl:text/><axsl:value-of select="@item"/><axsl:text/> is greater than digest/@items=<axsl:text/><axsl:value-of select="@items"/><axsl:text/>.</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose>

		<!--ASSERT -->
<axsl:choose><axsl:when test="not(../../@version = '1.0' and (@publication or not(b:header) or b:toc/b:entry/@line))"/><axsl:otherwise><svrl:failed-assert xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:schold="http://www.ascc.net/xml/schematron" test="not(../../@version = '1.0' and (@publication or not(b:header) or b:toc/b:entry/@line))"><axsl:attribute name="location"><axsl:apply-templates select="." mode="schematron-get-full-path"/></axsl:attribute><svrl:text>[version] the document says version="1.0" but its digest uses what version 1.1 added (publication, no header, line numbers in the table of contents): it must say version="1.1".</svrl:text></svrl:failed-assert></axsl:otherwise></axsl:choose><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template><axsl:template match="text()" priority="-1" mode="M2"/><axsl:template match="@*|node()" priority="-2" mode="M2"><axsl:apply-templates select="*|comment()|processing-instruction()" mode="M2"/></axsl:template></axsl:stylesheet>
